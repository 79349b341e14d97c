"""The weekly e-mailed chain report: content, chart images, e-mail, and reliable sending."""
