"""The caregivers' and clinicians' web app, served under `/app` by the API's own process.

Server-rendered pages (Jinja2) with htmx for the live parts; every figure comes from the same
service functions as the REST API. People sign in with a server-side session (`sessions`).
"""
