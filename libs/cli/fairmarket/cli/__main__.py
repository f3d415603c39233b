from fairmarket.cli.main import app

app()
