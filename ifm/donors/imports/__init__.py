"""Importing donors and donations from CSV or XLSX files made by older donor systems.

The steps, each in its own module:

1. `reading.read_table(data, filename)`: the file's rows (ifm.core.tabular reads the bytes). The
   header row is found among the first rows (the Salesforce NPSP template has four lines of
   instructions, then field labels, then API names); a second header line is skipped.
2. `mapping.suggest_mapping(kind, headers)`: which column feeds which field, from the header
   names of Salesforce NPSP, Little Green Light, CiviCRM, DonorPerfect and plain names. The
   organization's remembered mapping (`ImportMapping`, `mapping.mapping_for`) wins over it.
   `values` turns a cell into money, a date, yes/no or a payment method.
3. `check.import_check(...)`: the dry run. Every problem with its row and column, nothing written.
4. `services.import_start(...)` queues `tasks.import_commit_job`, which checks the file again and
   writes everything or nothing (`write`). `uploads` keeps a page's file between the steps.
   After a dry run with problems, the person may choose `valid_only`: the rows without problems
   are written (together, still one transaction) and the others left out, kept on the run.
5. `rejected`: the rows with problems as a CSV or XLSX file in the file's own columns plus an
   "Import errors" column; corrected, it imports as it is (that column is never mapped).

Each problem names the donor the row is about (`Problem.name`). A donors file may have a tags
column ("Board; Volunteer"): missing tags are made in the organization, each donor (new, or
the existing one it matched) gets its row's tags.

Row numbers are the file's row numbers as a spreadsheet shows them (the first line is row 1).
"""
