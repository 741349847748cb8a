"""The FAQ as data, Japanese/English text normalisation, and the matcher."""
