"""Pages of matching: the two-pane matching page and its actions (page.py, actions.py), and
the rules (rules.py)."""
