import os
import sys

import flux

count, objects = int(sys.argv[1]), sys.argv[2]
out = os.path.abspath("collected.out")
h = flux.Flux()
names = [f"holder{i}" for i in range(count)]
loads = [h.rpc("module.load", {"path": os.path.abspath("holder.py"),
                               "name": n, "args": [out, objects]})
         for n in names]
for f in loads:
    f.get()
for n in names:
    got = h.rpc(f"{n}.ready").get()["held"]
    if got != 1:
        sys.exit(f"{n} held {got} requests")
for n in names:                 # one after another
    h.rpc("module.remove", {"name": n}).get()
print("removed", flush=True)
