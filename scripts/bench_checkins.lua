-- wrk script of scripts/bench_checkins.py: check-ins over pre-issued tokens and bodies.
--
--   wrk -t N -c N -d <max> -s scripts/bench_checkins.lua <url> -- <dir> <start_ms> <window_ms> <rate> <N>
--
-- One connection per wrk thread (-t = -c), so that each thread knows which request an answer
-- belongs to: the check-in it sent last. Thread i posts the lines of <dir>/<i>.tsv in order,
-- each line "<bearer token>\t<JSON body>" of its own person, each person once.
-- Clock: CLOCK_REALTIME through LuaJIT's ffi (wrk gives Lua no clock), in epoch milliseconds,
-- so that <start_ms> is the same instant for every thread and for the Python side.
--   rate 0: closed loop. Each connection waits until <start_ms>, then sends its next check-in as
--           soon as the previous one is answered, until <start_ms> + <window_ms>.
--   rate R: constant offered rate (wrk2-style), R per second over all threads: thread i's check-in
--           k is due at start + (i / N + k) * N / R ms and is sent then, or at once when the
--           previous answer came after that moment. Its latency is counted from the moment it was
--           due, not from when it could be sent (coordinated omission: a slow answer delays the
--           sends behind it, and that wait counts as their latency, as a phone's user would see it).
-- A thread stops sending at the end of the window (or when its lines run out), waits for the
-- answer in flight, then appends its id to <dir>/finished: the Python side stops wrk (SIGINT) once
-- every thread is in it. done() prints "WRK <key> <value>" lines for the Python side.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_REALTIME = 0
local clock = ffi.new("bench_timespec")

local function now_ms()
    ffi.C.clock_gettime(CLOCK_REALTIME, clock)
    return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

-- A finished connection is parked with a delay longer than any run: wrk is stopped before it ends.
local PARKED_MS = 3600 * 1000

-- main state: the threads, for done()
local threads = {}

function setup(thread)
    thread:set("thread_id", #threads)
    table.insert(threads, thread)
end

-- thread state
data_dir = nil     -- global: done() reads it from a thread
local start_ms, end_ms, interval_ms, next_due_ms
local requests = {}
sent = 0             -- check-ins sent (the first `sent` lines of the file)
lost = 0             -- sent, then the connection broke before the answer
ran_out = 0          -- 1 when the lines ran out before the end of the window
statuses = {}        -- status -> answers
answered_in_window = 0  -- 200/202 answers received within the window
latencies = {}       -- ms per 200/202 answer: from the due moment (constant rate) or the send (closed loop)
service_latencies = {}  -- ms per 200/202 answer from the actual send (constant rate only)
late_sends = 0       -- constant rate: check-ins sent more than 10 ms after they were due
local waiting = false
local due_ms, sent_ms
local finished = false
local paced_once = false

function init(args)
    data_dir = args[1]
    start_ms = tonumber(args[2])
    end_ms = start_ms + tonumber(args[3])
    local rate = tonumber(args[4])
    local thread_count = tonumber(args[5])
    if rate > 0 then
        interval_ms = 1000 * thread_count / rate
        next_due_ms = start_ms + interval_ms * thread_id / thread_count
    end
    local headers = {["Content-Type"] = "application/json"}
    for line in io.lines(data_dir .. "/" .. thread_id .. ".tsv") do
        local tab = line:find("\t", 1, true)
        headers["Authorization"] = "Bearer " .. line:sub(1, tab - 1)
        requests[#requests + 1] = wrk.format("POST", nil, headers, line:sub(tab + 1))
    end
end

local function finish()
    if not finished then
        finished = true
        local marker = io.open(data_dir .. "/finished", "a")
        marker:write(thread_id, "\n")
        marker:close()
    end
    return PARKED_MS
end

-- Called before every send (and again after a reconnect while parked): how long to wait.
function delay()
    paced_once = true
    if finished then
        return PARKED_MS
    end
    local now = now_ms()
    if sent >= #requests then
        if now < end_ms then
            ran_out = 1
        end
        return finish()
    end
    if interval_ms then
        if next_due_ms >= end_ms then
            return finish()
        end
        due_ms = next_due_ms
        next_due_ms = next_due_ms + interval_ms
        return math.max(0, due_ms - now)
    end
    if now >= end_ms then
        return finish()
    end
    due_ms = nil
    return math.max(0, start_ms - now)
end

function request()
    if not paced_once then
        return requests[1]  -- wrk's check of the request's shape before the run: nothing is sent
    end
    if waiting then
        lost = lost + 1  -- wrk reconnected after an error and sends again without an answer
    end
    sent = sent + 1
    waiting = true
    sent_ms = now_ms()
    if due_ms and sent_ms - due_ms > 10 then
        late_sends = late_sends + 1
    end
    return requests[sent]
end

function response(status, headers, body)
    local now = now_ms()
    waiting = false
    statuses[status] = (statuses[status] or 0) + 1
    if status == 200 or status == 202 then
        latencies[#latencies + 1] = now - (due_ms or sent_ms)
        if due_ms then
            service_latencies[#service_latencies + 1] = now - sent_ms
        end
        if now >= start_ms and now <= end_ms then
            answered_in_window = answered_in_window + 1
        end
    end
    due_ms = nil
end

local function percentile(sorted, fraction)
    if #sorted == 0 then
        return "nan"
    end
    return string.format("%.3f", sorted[math.max(1, math.ceil(fraction * #sorted))])
end

-- Runs in the main state once wrk stopped: the threads' counts as "WRK <key> <value>" lines, the
-- sent check-ins of each thread as "WRK thread_sent <thread> <count>", and every 200/202 latency
-- (ms) in <dir>/latencies, one a line.
function done(summary, latency, requests_per_thread)
    local totals = {sent = 0, lost = 0, ran_out = 0, answered_in_window = 0, late_sends = 0}
    local all_statuses, corrected, service = {}, {}, {}
    for _, thread in ipairs(threads) do
        print(string.format("WRK thread_sent %d %d", thread:get("thread_id"), thread:get("sent")))
        for key in pairs(totals) do
            totals[key] = totals[key] + thread:get(key)
        end
        for status, count in pairs(thread:get("statuses")) do
            all_statuses[status] = (all_statuses[status] or 0) + count
        end
        for _, value in ipairs(thread:get("latencies")) do
            corrected[#corrected + 1] = value
        end
        for _, value in ipairs(thread:get("service_latencies")) do
            service[#service + 1] = value
        end
    end
    for key, value in pairs(totals) do
        print(string.format("WRK %s %d", key, value))
    end
    for status, count in pairs(all_statuses) do
        print(string.format("WRK status_%d %d", status, count))
    end
    local errors = summary.errors
    print(string.format("WRK socket_errors %d", errors.connect + errors.read + errors.write + errors.timeout))
    print(string.format("WRK timeouts %d", errors.timeout))
    -- wrk's own distribution (microseconds): from each send to its answer, any status
    for _, p in ipairs({50, 95, 99}) do
        print(string.format("WRK wrk_latency_p%d_ms %.3f", p, latency:percentile(p) / 1000))
    end
    print(string.format("WRK wrk_latency_max_ms %.3f", latency.max / 1000))
    table.sort(service)
    print(string.format("WRK service_latency_p99_ms %s", percentile(service, 0.99)))
    local out = io.open(threads[1]:get("data_dir") .. "/latencies", "w")
    for _, value in ipairs(corrected) do
        out:write(string.format("%.3f\n", value))
    end
    out:close()
end
