"""The help center: task-oriented articles written in Markdown in the repository, rendered
safely, searchable, linked from every page, with a "was this helpful?" vote on each."""
