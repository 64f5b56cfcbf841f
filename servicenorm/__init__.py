"""servicenorm: customer-service standards for online marketplaces."""

__version__ = "0.1.0"
