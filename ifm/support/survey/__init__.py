"""The periodic in-app survey: "How satisfied are you with the platform?" (1-5), asked of a
member on the organization's pages at most once in 30 days, dismissible (docs/support.md)."""
