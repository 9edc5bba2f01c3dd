/* api_payroll_epidemic.c - epidemic patient aid and staged temporary
 * assistance as bank payments (issue 6 §3): confirmed patients and the
 * month's generation. Parses and renders only; every check is in
 * service/epidemic_aid.c. */
#include "api_internal.h"

#include <string.h>

#include "service/epidemic_aid.h"

/* POST /api/v1/payroll/epidemic-patients {"person_id","diagnosed_on","discharged_on","note"} */
void api_epidemic_patient_create(struct call *c)
{
	const struct json_value *o;
	const char *diag = NULL, *dis = NULL, *note = NULL;
	int64_t person = 0;
	bool has_person = false;
	if (!api_body_object(c, &o) || !api_member_int(c, o, "person_id", &person, &has_person) ||
	    !api_member_string(c, o, "diagnosed_on", &diag, NULL) ||
	    !api_member_string(c, o, "discharged_on", &dis, NULL) || !api_member_string(c, o, "note", &note, NULL))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 201);
	if (epidemic_patient_add(c->db, &c->session.user, c->policy, has_person ? person : 0, diag, dis, note,
				 &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/payroll/epidemic-patients/{id} */
void api_epidemic_patient_get(struct call *c)
{
	long long id;
	if (!api_path_id(c, &id, "没有这条确诊患者记录"))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	if (epidemic_patient_get(c->db, &c->session.user, id, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* POST /api/v1/payroll/epidemic-patients/{id}/discharge {"discharged_on"} */
void api_epidemic_patient_discharge(struct call *c)
{
	long long id;
	if (!api_path_id(c, &id, "没有这条确诊患者记录"))
		return;
	const struct json_value *o;
	const char *dis = NULL;
	if (!api_body_object(c, &o) || !api_member_string(c, o, "discharged_on", &dis, NULL))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	if (epidemic_patient_discharge(c->db, &c->session.user, id, dis, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

static void aid_run(struct call *c, const char *kind)
{
	const struct json_value *o;
	const char *region = NULL, *period = NULL;
	if (!api_body_object(c, &o) || !api_member_string(c, o, "region", &region, NULL) ||
	    !api_member_string(c, o, "period", &period, NULL))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 201);
	if (payroll_aid_run(c->db, &c->session.user, kind, region, period, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* POST /api/v1/payroll/epidemic {"region","period"} */
void api_payroll_epidemic(struct call *c)
{
	aid_run(c, "epidemic");
}

/* POST /api/v1/payroll/temporary {"region","period"} */
void api_payroll_temporary(struct call *c)
{
	aid_run(c, "temporary");
}
