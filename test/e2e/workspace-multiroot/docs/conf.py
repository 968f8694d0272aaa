project = "docs"
