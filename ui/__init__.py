"""Qt front end. Widgets receive their services through constructors; no globals."""
