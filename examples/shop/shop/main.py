"""Entry point of the shop service."""
import os

from dbos import DBOS, DBOSConfig
from fastapi import FastAPI

from shop.workflows import checkout

app = FastAPI()

config: DBOSConfig = {
    "name": "shop",
    "application_version": "0.1.0",
    "system_database_url": os.environ.get("DBOS_SYSTEM_DATABASE_URL"),
}
DBOS(config=config)
DBOS.launch()


@DBOS.workflow()
@app.post("/checkout")
def checkout_route(email: str, sku: str, qty: int = 1) -> dict:
    return {"order": checkout(email, sku, qty)}
