"""Support: tickets on SLA clocks, the platform staff's desk, satisfaction ratings, inbound
email; the help center is its own app inside (`ifm.support.help`)."""
