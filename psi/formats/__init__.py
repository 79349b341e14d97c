"""Date formats of the dashboard's languages where Django's own do not suit the chain's readers."""
