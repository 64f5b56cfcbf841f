"""Request (`XCreate`, `XUpdate`) and response (`XPublic`) schemas, separate from ORM rows."""
