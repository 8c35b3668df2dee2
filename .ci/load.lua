-- wrk script of .ci/load.sh: TAXII 2.1 reads (objects pages, manifest, object by id) mixed
-- with POSTs of small envelopes, as one partner with read+write.
--
-- Environment: LOAD_COLLECTION (collection id), LOAD_AUTH (the Authorization header value),
-- LOAD_IDS (a file of object ids, one a line, to GET by id), LOAD_POST_SHARE (0.15).
-- `done` prints one line `LOADJSON {...}` with the totals, the latency percentiles (µs),
-- wrk's socket errors and the status classes counted per thread.

local collection = assert(os.getenv("LOAD_COLLECTION"), "LOAD_COLLECTION")
local auth = assert(os.getenv("LOAD_AUTH"), "LOAD_AUTH")
local ids_file = assert(os.getenv("LOAD_IDS"), "LOAD_IDS")
local post_share = tonumber(os.getenv("LOAD_POST_SHARE") or "0.15")

local media = "application/taxii+json;version=2.1"
local base = "/taxii2/hub/collections/" .. collection
local get_headers = { ["Authorization"] = auth, ["Accept"] = media }
local post_headers = { ["Authorization"] = auth, ["Accept"] = media, ["Content-Type"] = media }

local ids = {}
for line in io.lines(ids_file) do
  if #line > 0 then ids[#ids + 1] = line end
end
assert(#ids > 0, "no ids in " .. ids_file)

local pages = {
  "/objects/?limit=50",
  "/objects/?limit=100&match[type]=indicator",
  "/objects/?limit=20&match[version]=all",
  "/objects/?limit=10&added_after=2020-01-01T00:00:00.000Z",
}
local manifests = { "/manifest/?limit=100", "/manifest/?limit=10&match[type]=identity" }

local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  c2, c3, c4, c5, posts, reads = 0, 0, 0, 0, 0, 0
  math.randomseed(os.time() * 1000 + tid * 7919)
end

local function hex(n)
  local t = {}
  for i = 1, n do t[i] = string.format("%x", math.random(0, 15)) end
  return table.concat(t)
end

local function uuid4()
  return hex(8) .. "-" .. hex(4) .. "-4" .. hex(3) .. "-" ..
    string.format("%x", math.random(8, 11)) .. hex(3) .. "-" .. hex(12)
end

local function envelope()
  local now = os.date("!%Y-%m-%dT%H:%M:%S.000Z")
  local objects = {}
  for i = 1, math.random(1, 3) do
    objects[i] = string.format(
      '{"type":"indicator","spec_version":"2.1","id":"indicator--%s","created":"%s",' ..
      '"modified":"%s","name":"load %d","pattern":"[ipv4-addr:value = \'10.%d.%d.%d\']",' ..
      '"pattern_type":"stix","valid_from":"%s"}',
      uuid4(), now, now, math.random(1, 1000000), math.random(0, 255), math.random(0, 255),
      math.random(1, 254), now)
  end
  return '{"objects":[' .. table.concat(objects, ",") .. "]}"
end

function request()
  local r = math.random()
  if r < post_share then
    posts = posts + 1
    return wrk.format("POST", base .. "/objects/", post_headers, envelope())
  end
  reads = reads + 1
  if r < post_share + 0.35 then
    return wrk.format("GET", base .. pages[math.random(#pages)], get_headers)
  elseif r < post_share + 0.55 then
    return wrk.format("GET", base .. manifests[math.random(#manifests)], get_headers)
  else
    return wrk.format("GET", base .. "/objects/" .. ids[math.random(#ids)] .. "/", get_headers)
  end
end

function response(status, headers, body)
  if status >= 500 then c5 = c5 + 1
  elseif status >= 400 then c4 = c4 + 1
  elseif status >= 300 then c3 = c3 + 1
  else c2 = c2 + 1 end
end

function done(summary, latency, requests)
  local t = { c2 = 0, c3 = 0, c4 = 0, c5 = 0, posts = 0, reads = 0 }
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (thread:get(k) or 0) end
  end
  local e = summary.errors
  io.write(string.format(
    'LOADJSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"rps":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d,' ..
    '"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d,' ..
    '"c2xx":%d,"c3xx":%d,"c4xx":%d,"c5xx":%d,"posts":%d,"reads":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout,
    t.c2, t.c3, t.c4, t.c5, t.posts, t.reads))
end
