-- POST /api/v1/dossiers/ with a clerk's token per wrk thread (BENCH_TOKENS: comma-separated, one per
-- thread) and a procedure code picked from BENCH_PROCEDURES (comma-separated); three papers, as a desk
-- ticks them (the form, the paper proving the request, a copy of the identity card).
package.path = package.path .. ";" .. (os.getenv("BENCH_DIR") or "bench") .. "/?.lua"
require "report"

local function split(text)
  local out = {}
  for item in string.gmatch(text or "", "[^,]+") do out[#out + 1] = item end
  return out
end

local tokens = split(os.getenv("BENCH_TOKENS"))
local procedures = split(os.getenv("BENCH_PROCEDURES"))
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("token", tokens[(counter - 1) % #tokens + 1])
  thread:set("seed", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + seed)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Token " .. token
  non_201 = 0
end

function request()
  local id_number = string.format("0%02d%09d", seed, math.random(0, 999999999))
  local body = string.format(
    '{"procedure": "%s", "channel": "direct", "applicant": {"full_name": "Nguyễn Văn Tải", ' ..
    '"id_number": "%s", "phone": "0912345678"}, "documents": [{"name": "Tờ khai", "original_count": 1}, ' ..
    '{"name": "Giấy tờ chứng minh nội dung yêu cầu", "original_count": 1}, ' ..
    '{"name": "Căn cước của người yêu cầu", "copy_count": 1}]}',
    procedures[math.random(#procedures)], id_number)
  return wrk.format("POST", "/api/v1/dossiers/", nil, body)
end

function response(status, headers, body)
  if status ~= 201 then
    non_201 = non_201 + 1
    if non_201 <= 3 then io.stderr:write("intake answered " .. status .. ": " .. string.sub(body, 1, 300) .. "\n") end
  end
end

function done(summary, latency, requests)
  summary_json(summary, latency)
end
