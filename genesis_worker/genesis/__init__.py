"""Genesis features on top of Connect: ownership and history, lineage, metrics views, the web console.

A layer above the core and the REST API (:mod:`genesis_worker.genesis.layer`): it listens to the herder's
config store, registers its ownership policy with the herder and adds its routes to the REST server.
Nothing below it imports it.
"""
