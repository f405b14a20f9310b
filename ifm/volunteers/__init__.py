"""The volunteer program: volunteers, qualifications, opportunities and shifts, sign-ups that
never overbook, the public sign-up page, the check-in kiosk and approved hours."""
