from ccproxy.cli.main import run

run()
