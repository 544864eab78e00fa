"""Text as the engines read it: amendment markup normalized, sections segmented."""
