"""opsanalytics: prove that SMS traffic routed to Orange France follows the Opérateur Push SMS
contract (rules R1-R14 of docs/RULES.md), and plan that traffic."""

__version__ = "0.1.0"
