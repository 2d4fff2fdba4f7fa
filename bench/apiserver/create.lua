-- wrk script: POST pods with unique names (one counter per wrk thread).
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  thread_id = tid
end

request = function()
  counter = counter + 1
  local body = string.format(
    '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"bench-%d-%d","labels":{"app":"bench"}},' ..
    '"spec":{"containers":[{"name":"c","image":"busybox:latest","command":["sleep","3600"],' ..
    '"resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}]}}', thread_id, counter)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end

done = function(summary, latency, requests)
  io.write(string.format("codes_non2xx=%d\n", summary.errors.status))
end
