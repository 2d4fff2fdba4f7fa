-- wrk script: POST one JSON object per request with a unique name (one
-- counter per wrk thread). TUG_BENCH_OBJECT is the object with NAME where
-- its name goes: bench/apiserver/crd.sh posts ConfigMaps and Widgets alike.
local counter = 0
local thread_id = 0
local threads = {}
local template = os.getenv("TUG_BENCH_OBJECT")

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  thread_id = tid
end

request = function()
  counter = counter + 1
  local body = template:gsub("NAME", string.format("bench-%d-%d", thread_id, counter), 1)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end

done = function(summary, latency, requests)
  io.write(string.format("codes_non2xx=%d\n", summary.errors.status))
end
