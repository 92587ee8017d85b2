"""The explorer page served at `/`."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from graph.model import legend

router = APIRouter()
_env = Environment(loader=PackageLoader("api", "static"), autoescape=select_autoescape(["html"]))


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def explorer() -> HTMLResponse:
    return HTMLResponse(_env.get_template("explorer.html").render(legend=legend()))
