import os
import random

import requests
from dbos import DBOS, DBOSConfig
from fastapi import FastAPI

app = FastAPI()


@DBOS.workflow()
def checkout(order_id: str) -> str:
    token = random.random()
    return f"{order_id}-{token}"


@DBOS.workflow()
def notify(order_id: str) -> int:
    r = requests.get("https://example.com/notify")
    return r.status_code


@DBOS.workflow()
@app.get("/orders/{order_id}")
def get_order(order_id: str) -> str:
    return order_id


if __name__ == "__main__":
    config: DBOSConfig = {
        "name": "shop",
        "system_database_url": os.environ.get("DBOS_SYSTEM_DATABASE_URL"),
        "application_version": "0.1.0",
    }
    DBOS(config=config)
    DBOS.launch()
