-- wrk script: POST pods with unique names (one counter per wrk thread), as
-- JSON, or as Kubernetes protobuf when TUG_BENCH_BODY=protobuf (the same pod:
-- what a client-go typed client sends).
local counter = 0
local thread_id = 0
local threads = {}
local protobuf = os.getenv("TUG_BENCH_BODY") == "protobuf"

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  thread_id = tid
end

-- protobuf's wire format: a varint, and a length-delimited field.
local function varint(n)
  local t = {}
  repeat
    local b = n % 128
    n = (n - b) / 128
    if n > 0 then b = b + 128 end
    t[#t + 1] = string.char(b)
  until n == 0
  return table.concat(t)
end

local function field(number, bytes)
  return varint(number * 8 + 2) .. varint(#bytes) .. bytes
end

-- "k8s\0" + runtime.Unknown{typeMeta{v1, Pod}, raw: Pod}; field numbers from
-- apiserver/schema (ObjectMeta name 1, labels 11; Container name 1, image 2,
-- command 3, resources 8; ResourceRequirements requests 2; Quantity string 1).
local function pod_protobuf(name)
  local meta = field(1, name) .. field(11, field(1, "app") .. field(2, "bench"))
  local requests = field(2, field(1, "cpu") .. field(2, field(1, "10m"))) ..
                   field(2, field(1, "memory") .. field(2, field(1, "16Mi")))
  local container = field(1, "c") .. field(2, "busybox:latest") .. field(3, "sleep") ..
                    field(3, "3600") .. field(8, requests)
  local pod = field(1, meta) .. field(2, field(2, container))
  return "k8s\0" .. field(1, field(1, "v1") .. field(2, "Pod")) .. field(2, pod)
end

-- The script's own headers, plus any given with wrk -H (a bearer token, say):
-- wrk.format takes one table or the other, not both.
local function headers(own)
  for k, v in pairs(wrk.headers) do
    if own[k] == nil then own[k] = v end
  end
  return own
end

request = function()
  counter = counter + 1
  local name = string.format("bench-%d-%d", thread_id, counter)
  if protobuf then
    return wrk.format("POST", nil, headers({["Content-Type"] = "application/vnd.kubernetes.protobuf",
                                            ["Accept"] = "application/vnd.kubernetes.protobuf, application/json"}),
                      pod_protobuf(name))
  end
  local body = string.format(
    '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","labels":{"app":"bench"}},' ..
    '"spec":{"containers":[{"name":"c","image":"busybox:latest","command":["sleep","3600"],' ..
    '"resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}]}}', name)
  return wrk.format("POST", nil, headers({["Content-Type"] = "application/json"}), body)
end

done = function(summary, latency, requests)
  io.write(string.format("codes_non2xx=%d\n", summary.errors.status))
end
