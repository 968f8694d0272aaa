import random

import requests
from dbos import DBOS
from fastapi import FastAPI

app = FastAPI()


@DBOS.workflow()
def checkout(order_id: str) -> str:
    token = random.random()
    return f"{order_id}-{token}"


@DBOS.workflow()
def notify() -> int:
    return requests.get("https://example.com").status_code


@DBOS.workflow()
@app.get("/orders/{order_id}")
def get_order(order_id: str) -> str:
    return order_id
