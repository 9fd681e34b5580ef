from ratchet.cli import app

app()
