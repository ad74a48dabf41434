pytest_plugins = ["tests.support.openbao"]
