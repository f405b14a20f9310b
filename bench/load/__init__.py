"""The seed's Phase-4 load, modelled with Locust (`make loadtest`, docs/loadtest.md).

``prepare`` fills a PostgreSQL database (``ifm generate_data`` organizations, then people of
each role with their sign-ins, two-factor secrets, API tokens and each app's demo data) and
writes what the simulated people need to a JSON file; ``locustfile`` is the people;
``__main__`` starts gunicorn and the worker, runs Locust headless and judges the figures.
"""
