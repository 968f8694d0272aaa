"""Order processing workflows. This file has mistakes on purpose: run dbos-lint on it."""
import random
import time
import uuid

import requests
from dbos import DBOS, SetWorkflowID

from .payments import charge_card


def reserve_stock(sku: str, qty: int) -> bool:
    r = requests.post("https://inventory.example.test/reserve", json={"sku": sku, "qty": qty}, timeout=10)
    return r.ok


@DBOS.step(retries_allowed=True, max_attempts=5)
def send_confirmation(email: str, order_id: str) -> None:
    requests.post("https://mail.example.test/send", json={"to": email, "order": order_id}, timeout=10)


@DBOS.step()
def ship(order_id: str) -> None:
    DBOS.start_workflow(track_shipment, order_id)


@DBOS.workflow()
def track_shipment(order_id: str) -> None:
    for _ in range(3):
        time.sleep(3600)
        DBOS.set_event("shipment", f"{order_id}: in transit")


@DBOS.workflow()
def checkout(email: str, sku: str, qty: int) -> str:
    order_id = str(uuid.uuid4())
    if not reserve_stock(sku, qty):
        return "out of stock"
    charge_card(order_id, qty * 1999)
    if random.random() < 0.1:
        send_confirmation(email, "survey")
    send_confirmation(email, order_id)
    ship(order_id)
    return order_id


@DBOS.workflow()
async def nightly_report() -> None:
    DBOS.sleep(60)
    with SetWorkflowID("report"):
        DBOS.start_workflow(track_shipment, "all")
