-- GET a random path from the file named by BENCH_URLS (one path per line); optional BENCH_COOKIE.
package.path = package.path .. ";" .. (os.getenv("BENCH_DIR") or "bench") .. "/?.lua"
require "report"

local paths = {}
for line in io.lines(os.getenv("BENCH_URLS")) do
  paths[#paths + 1] = line
end
local cookie = os.getenv("BENCH_COOKIE")
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

function init(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
  if cookie and cookie ~= "" then wrk.headers["Cookie"] = cookie end
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function done(summary, latency, requests)
  summary_json(summary, latency)
end
