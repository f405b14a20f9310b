"""CSV imports of the ledger: a chart of accounts, and opening balances.

Called through ifm.ledger.imports.services (which checks the permission). Both imports read the
whole file first and list every problem with its row (the header is row 1) and column; a commit
with any problem writes nothing, and a dry run writes nothing at all.

Chart of accounts, two layouts (recognised by the header row):

1. UCOA / Banana Accounting export: ``Group,Account,Description,Gr``.
   - A row with only a Description (``,,ASSETS,``) starts a section that gives the type of the
     accounts below it (assets, liabilities, equity/net assets, revenue/income, expenses).
     Sections of cost centres, donors, projects or segments are skipped.
   - A row with an Account is a detail account: Description is its name, Gr its group.
   - A row with a Group is a group. A group that directly holds detail accounts becomes a header
     account; groups that only add up other groups (totals such as "Total assets", the year's
     profit or loss, "Difference should be = 0") are reported as skipped: the ledger computes
     totals itself.
   - Entries whose number starts with ``.``, ``,``, ``;`` or ``:`` (Banana cost centres and
     segments) are reported as skipped.

2. The simple layout: ``number,name,type,parent_number[,net_asset_class]`` where type is one of
   asset, liability, net_assets, revenue, expense; parent_number is blank for a top-level
   account; net_asset_class (without_donor_restrictions / with_donor_restrictions) may be blank.

Accounts are matched by number: a missing one is created, an existing one gets the file's name
and parent (its type, role, description and activity stay). Importing the same file twice
changes nothing the second time.

Opening balances: ``account_number,fund_code,debit,credit``, posted as one entry (source type
"opening") on the date given. Debits must equal credits; where one fund's lines do not balance on
their own the posting adds the due-to/due-from lines between funds.
"""
