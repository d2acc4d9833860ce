"""Small helpers several of Relay's apps share, as healthchecks keeps `hc/lib`.

Nothing here imports an app: forms (binding to a POST, one-line names), CSV files (reading
with line numbers, writing without live formulas), HTTP (the htmx request type, download
names), calendar quarters, the maturity vocabulary, and the SVG charts; and the request
guards: the body size limit (request_size), the client's address behind trusted proxies
(client_ip), a cache counter for throttles (throttle), one-line refusals in the logs (log).
"""
