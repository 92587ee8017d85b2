"""Configuration, from environment variables and a `.env` file (pydantic-settings)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


def _default_data_dir() -> Path:
    for candidate in (Path.cwd() / "data", REPO_ROOT / "data"):
        if (candidate / "kristiansand").is_dir():
            return candidate
    return REPO_ROOT / "data"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    store: Literal["embedded", "neo4j"] = Field("embedded", alias="SAMGRAF_STORE")
    db_path: Path = Field(Path(".samgraf"), alias="SAMGRAF_DB_PATH")
    graph_name: str = Field("samgraf", alias="SAMGRAF_GRAPH", pattern=r"^[A-Za-z0-9_-]+$")
    data_dir: Path = Field(default_factory=_default_data_dir, alias="SAMGRAF_DATA_DIR")
    host: str = Field("127.0.0.1", alias="SAMGRAF_HOST")
    port: int = Field(8000, alias="SAMGRAF_PORT")
    #: keep the embedded server running when the last process using it exits
    keep_server: bool = Field(False, alias="SAMGRAF_KEEP_SERVER")

    neo4j_uri: str | None = Field(None, alias="NEO4J_URI")
    neo4j_username: str = Field("neo4j", alias="NEO4J_USERNAME")
    neo4j_password: str | None = Field(None, alias="NEO4J_PASSWORD")
    neo4j_database: str = Field("neo4j", alias="NEO4J_DATABASE")
    #: driver: connections per process, seconds to connect, to wait for a free connection,
    #: and for which transient errors (leader switch, deadlock) are retried
    neo4j_pool_size: int = Field(100, alias="SAMGRAF_NEO4J_POOL_SIZE", ge=1)
    neo4j_connect_timeout: float = Field(15.0, alias="SAMGRAF_NEO4J_CONNECT_TIMEOUT", gt=0)
    neo4j_acquire_timeout: float = Field(60.0, alias="SAMGRAF_NEO4J_ACQUIRE_TIMEOUT", gt=0)
    neo4j_retry_seconds: float = Field(30.0, alias="SAMGRAF_NEO4J_RETRY_SECONDS", ge=0)

    #: server-side timeout for one query, seconds
    query_timeout: float = Field(10.0, alias="SAMGRAF_QUERY_TIMEOUT")

    #: entity resolution: the review queue (SQLite; default <db_path>/review.sqlite) and the
    #: thresholds (token_sort_ratio 0–100) for merging automatically and for asking
    review_db: Path | None = Field(None, alias="SAMGRAF_REVIEW_DB")
    er_auto: float = Field(93.0, alias="SAMGRAF_ER_AUTO", ge=0, le=100)
    er_review: float = Field(80.0, alias="SAMGRAF_ER_REVIEW", ge=0, le=100)

    # ---- paths, overlaps, measures and the /api/v1 API (issue 5) ----------------------------
    #: YAML file with the overlap weights per category (default: <data_dir>/overlap-weights.yaml)
    overlap_weights: Path | None = Field(None, alias="SAMGRAF_OVERLAP_WEIGHTS")
    #: sha256 hex digests (comma-separated) of the API keys that may write and read `internal`
    api_key_hash: str | None = Field(None, alias="SAMGRAF_API_KEY_HASH")
    #: sha256 hex digests (comma-separated) of read-only keys (scope `public`)
    read_key_hash: str | None = Field(None, alias="SAMGRAF_READ_KEY_HASH")
    #: reads need a key too (otherwise reads are open, with scope `public`)
    read_key_required: bool = Field(False, alias="SAMGRAF_READ_KEY_REQUIRED")
    #: origins allowed by CORS (comma-separated), e.g. https://intranett.kristiansand.kommune.no
    cors_origins: str = Field("", alias="SAMGRAF_CORS_ORIGINS")
    #: seconds a read may be cached (Cache-Control max-age and the server's response cache)
    api_cache_seconds: int = Field(30, alias="SAMGRAF_API_CACHE_SECONDS", ge=0)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
