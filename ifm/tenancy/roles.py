from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    FINANCE = "finance", "Finance"
    FUNDRAISING = "fundraising", "Fundraising"
    VOLUNTEER_COORDINATOR = "volunteer_coordinator", "Volunteer coordinator"
    STAFF = "staff", "Staff"
    VIEWER = "viewer", "Viewer"
