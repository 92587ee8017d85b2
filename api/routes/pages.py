"""The explorer page at `/` (and `/explorer`) and its assets, all served from the package.

No CDN: vis-network's JavaScript and CSS come from the pyvis wheel, the explorer's own script
and style from api/static/. The page gets the model's kinds, colours and the filter presets as
JSON, so the legend and the filters are generated from the model.
"""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from api.routes import explorer as explorer_api
from viz.filters import PRESETS
from viz.render import PHYSICS_LIMIT, legend, rel_legend, safe_json, vis_asset

router = APIRouter()
router.include_router(explorer_api.router)
_env = Environment(loader=PackageLoader("api", "static"), autoescape=select_autoescape(["html"]))

#: asset name -> (media type, loader)
_ASSETS = {
    "vis-network.min.js": "text/javascript",
    "vis-network.css": "text/css",
    "explorer.js": "text/javascript",
    "explorer.css": "text/css",
}


#: endpoints of the paths/overlaps API the explorer uses when the app has them
FEATURES = {
    "paths": "/api/v1/paths",
    "overlaps": "/api/v1/initiatives/{initiative_id}/overlaps",
}


def explorer_config(paths: set[str]) -> dict[str, object]:
    return {
        "kinds": legend(),
        "rels": rel_legend(),
        "presets": [p.as_dict() for p in PRESETS.values()],
        "physicsLimit": PHYSICS_LIMIT,
        "features": {name: route in paths for name, route in FEATURES.items()},
    }


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
@router.get("/explorer", response_class=HTMLResponse, include_in_schema=False)
def explorer(request: Request) -> HTMLResponse:
    paths = set(request.app.openapi().get("paths", {}))  # the routes this app really has
    html = _env.get_template("explorer.html").render(
        legend=legend(), config_json=safe_json(explorer_config(paths))
    )
    return HTMLResponse(html)


@router.get("/static/{name}", include_in_schema=False)
def asset(name: str) -> Response:
    media = _ASSETS.get(name)
    if media is None:
        raise HTTPException(404, f"finner ingen fil {name!r}")
    if name.startswith("vis-network"):
        text = vis_asset(name)
    else:
        text = (resources.files("api") / "static" / name).read_text(encoding="utf-8")
    return Response(text, media_type=media, headers={"Cache-Control": "max-age=3600"})
