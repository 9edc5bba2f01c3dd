-- 018_hotline.sql - the 12345 hotline module (12345 社会救助模块, issue 8;
-- docs/hotline.md): work orders (工单) routed to the township, their
-- deadlines, reply and closure, and the case a work order turned into.
-- Re-runnable: IF NOT EXISTS throughout.

-- A work order. region_code: the responsible township (9 digits), which the
-- order is routed to; caller_phone and caller_id_number are stored whole and
-- shown masked (a reveal is audited as hotline_order.reveal). State:
-- received → accepted → replied → closed; a township may return an order not
-- its own (returned, return_note) and the county reassigns it (received again,
-- at another township, with a new response_due). response_due: the time stamp
-- (UTC, as store_now) by which the township must accept (hotline.response_hours
-- after receipt); close_due: the civil date by which it must be closed
-- (hotline.close_workdays working days after receipt). application_id: the
-- application or temporary-assistance case the order was converted into
-- (converted_to says which); an application shows its source order by
-- looking up this column (hotline_orders_application).
CREATE TABLE IF NOT EXISTS hotline_orders (
	id @ID@,
	order_no TEXT UNIQUE,
	caller_name TEXT NOT NULL,
	caller_phone TEXT NOT NULL,
	caller_id_number TEXT,
	region_code TEXT NOT NULL,
	category TEXT NOT NULL CHECK (category = 'dibao' OR category = 'tekun' OR category = 'temporary' OR category = 'marginal' OR category = 'complaint' OR category = 'consultation' OR category = 'other'),
	channel TEXT NOT NULL DEFAULT 'phone' CHECK (channel = 'phone' OR channel = 'web' OR channel = 'wechat' OR channel = 'letter' OR channel = 'visit'),
	description TEXT NOT NULL,
	state TEXT NOT NULL DEFAULT 'received' CHECK (state = 'received' OR state = 'accepted' OR state = 'replied' OR state = 'closed' OR state = 'returned'),
	received_at TEXT NOT NULL,
	response_due TEXT NOT NULL,
	close_due TEXT NOT NULL,
	accepted_at TEXT,
	accepted_by BIGINT REFERENCES users (id),
	reply TEXT,
	replied_at TEXT,
	replied_by BIGINT REFERENCES users (id),
	returned_by BIGINT REFERENCES users (id),
	return_note TEXT,
	result TEXT,
	closed_at TEXT,
	closed_by BIGINT REFERENCES users (id),
	application_id BIGINT REFERENCES applications (id),
	converted_to TEXT CHECK (converted_to IS NULL OR converted_to = 'temporary' OR converted_to = 'application'),
	created_by BIGINT REFERENCES users (id),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS hotline_orders_region ON hotline_orders (region_code, state);
CREATE INDEX IF NOT EXISTS hotline_orders_application ON hotline_orders (application_id);

-- Every change of an order, in order: create, accept, reply, convert, close.
CREATE TABLE IF NOT EXISTS hotline_order_events (
	id @ID@,
	order_id BIGINT NOT NULL REFERENCES hotline_orders (id),
	region_code TEXT NOT NULL,
	action TEXT NOT NULL,
	from_state TEXT,
	to_state TEXT,
	actor_id BIGINT REFERENCES users (id),
	at TEXT NOT NULL,
	note TEXT
);
CREATE INDEX IF NOT EXISTS hotline_order_events_order ON hotline_order_events (order_id, id);
