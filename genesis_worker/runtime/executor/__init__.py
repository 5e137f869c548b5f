"""Task executor processes (``genesis.task.processes``, ``genesis.task.isolation=process``).

The worker process stays the group member, REST server and herder; an executor process runs tasks with the
same runtime code (``genesis_worker.runtime.executor_main`` builds a :class:`Worker` of its own), and the
two talk over a socket pair (:mod:`.wire`): the worker starts, stops, pauses and resumes tasks; the
executor reports task states, topic activity and metric snapshots, and reads and writes source offsets
through the worker's offset store. Records never cross between the processes.
"""
