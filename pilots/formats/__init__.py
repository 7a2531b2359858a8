"""Date and number formats per language (FORMAT_MODULE_PATH), where Django's differ from how our
readers write. Only what differs is defined; Django's own locale formats supply the rest."""
