"""The Executive Closeout Pack, generated from the signed chain of runs (`golive closeout`)."""
