"""CLI verbs, one module per capability. Each module defines `register(app: typer.Typer)`."""
