-- bench/server.lua - the wrk script of bench/server.sh (make bench).
--
--   wrk -t T -c C -d D -s bench/server.lua URL -- MODE DIR T
--
-- MODE  get     the URL's path as it is (no cookie)
--       read    READ path ({id} = a random household id of DIR/read_ids), with the
--               session cookie of DIR/read_session
--       create  CREATE path and body ({id} replaced), one household of DIR/create_items
--               per request ("id token csrf" a line), each with its own session cookie
--               and X-CSRF-Token; thread k of T takes every T-th line, so no household
--               is sent twice; a thread that runs out of households stops
--       mixed   read, and creations at no more than DIR/write_rate per second in all
--               (until the households run out, then reads only)
-- DIR also holds read_path, create_path, create_body, create_cycle (one line each;
-- create_cycle 1: a stand-in that stores nothing, so the households are sent again).
--
-- done() prints one line that bench/server.sh parses:
--   RESULT requests=… duration_us=… p50_us=… p99_us=… max_us=… non2xx=… connect=… read=…
--          write=… timeout=… status=200:N,201:N,… fillers=… ran_out=…

local threads = {}
local counter = 0

function setup(thread)
	counter = counter + 1
	thread:set("tid", counter)
	table.insert(threads, thread)
end

local mode, dir
-- Requests of modes get and read are formatted once, in init() (read: one per
-- household, picked at random): formatting a request in Lua costs the load
-- generator microseconds of the same two cores the server runs on. A creation
-- is sent once, so it is formatted when sent.
local read_requests = {}
local get_request -- mode get: the one request, formatted once
local read_path, read_headers
local create_path, create_body
local items = {}
local next_item = 1
local write_rate = 0
local cycle = false -- a stand-in that stores nothing: the households are used again
local writes = 0
local t0
statuses = {}
fillers = 0 -- create: requests sent after the households ran out (to /healthz, not counted)
ran_out = 0 -- mixed: the households for creations ran out

local function read_line(name)
	local f = assert(io.open(dir .. "/" .. name, "r"))
	local s = f:read("*l")
	f:close()
	return s
end

function init(args)
	mode, dir = args[1], args[2]
	local nthreads = tonumber(args[3]) or 1
	local tid = tonumber(wrk.thread:get("tid")) or 1
	math.randomseed(os.time() * 7919 + tid)
	if mode == "read" or mode == "mixed" then
		read_path = read_line("read_path")
		read_headers = { ["Cookie"] = "doudi_session=" .. read_line("read_session") }
		for line in io.lines(dir .. "/read_ids") do
			read_requests[#read_requests + 1] = wrk.format("GET", (read_path:gsub("{id}", line)), read_headers)
		end
	end
	if mode == "create" or mode == "mixed" then
		create_path = read_line("create_path")
		create_body = read_line("create_body")
		cycle = read_line("create_cycle") == "1"
		local i = 0
		for line in io.lines(dir .. "/create_items") do
			if i % nthreads == tid - 1 then
				local id, token, csrf = line:match("^(%S+) (%S+) (%S+)$")
				items[#items + 1] = { id, token, csrf }
			end
			i = i + 1
		end
	end
	if mode == "mixed" then
		write_rate = (tonumber(read_line("write_rate")) or 0) / nthreads
	end
	get_request = wrk.format()
	t0 = os.time()
	-- Modes get and read count statuses through wrk itself (summary.errors.status:
	-- answers above 399), not response(): wrk decides once, after the first
	-- thread's init(), whether a response() function exists, and with one it
	-- copies every answer's headers and body into Lua - work of the load
	-- generator that grows with the body and so weighs on the larger read more
	-- than on /healthz. Mode get also sends its one request without calling Lua.
	if mode == "get" or mode == "read" then
		response = nil
	end
	if mode == "get" then
		request = nil
	end
end

local function read_request()
	return read_requests[math.random(#read_requests)]
end

local function create_request()
	if cycle and next_item > #items then
		next_item = 1
	end
	local it = items[next_item]
	next_item = next_item + 1
	local headers = {
		["Cookie"] = "doudi_session=" .. it[2],
		["X-CSRF-Token"] = it[3],
		["Content-Type"] = "application/json",
	}
	return wrk.format("POST", (create_path:gsub("{id}", it[1])), headers, (create_body:gsub("{id}", it[1])))
end

function request()
	if mode == "read" then
		return read_request()
	elseif mode == "create" then
		if next_item > #items and not cycle then
			fillers = fillers + 1
			wrk.thread:stop()
			return wrk.format("GET", "/healthz")
		end
		return create_request()
	elseif mode == "mixed" then
		if (cycle or next_item <= #items) and writes < (os.time() - t0 + 1) * write_rate then
			writes = writes + 1
			return create_request()
		end
		if next_item > #items and write_rate > 0 and not cycle then
			ran_out = 1
		end
		return read_request()
	end
	return get_request
end

function response(status, headers, body)
	statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
	local all = {}
	local fill, out = 0, 0
	for _, t in ipairs(threads) do
		local s = t:get("statuses")
		if s then
			for code, n in pairs(s) do
				all[code] = (all[code] or 0) + n
			end
		end
		fill = fill + (tonumber(t:get("fillers")) or 0)
		out = out + (tonumber(t:get("ran_out")) or 0)
	end
	local codes = {}
	for code, _ in pairs(all) do
		codes[#codes + 1] = code
	end
	table.sort(codes)
	local parts = {}
	for _, code in ipairs(codes) do
		parts[#parts + 1] = code .. ":" .. all[code]
	end
	local e = summary.errors
	io.write(string.format(
		"RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d status=%s fillers=%d ran_out=%d\n",
		summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
		e.status, e.connect, e.read, e.write, e.timeout, table.concat(parts, ","), fill, out))
end
