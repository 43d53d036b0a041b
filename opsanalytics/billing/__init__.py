"""R12 BILL: what Orange should invoice, from the logs and the contract, and an invoice it
sent, compared line by line (docs/billing.md)."""

from opsanalytics.billing.invoice import ITEMS, Invoice, invoice
from opsanalytics.billing.reconcile import TOTAL, InvoiceFileError, read_invoice, reconcile

__all__ = ["ITEMS", "TOTAL", "Invoice", "InvoiceFileError", "invoice", "read_invoice", "reconcile"]
