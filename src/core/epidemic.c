/* epidemic.c - epidemic patient aid periods and amounts (epidemic.h). */
#include "epidemic.h"

dd_date epidemic_period_start(dd_date diagnosed, int k)
{
	return date_add_months(diagnosed, k);
}

int epidemic_periods_begun(dd_date diagnosed, dd_date last)
{
	if (last < diagnosed)
		return 0;
	int k = (int)(date_month(last) - date_month(diagnosed));
	/* period k begins in last's month; it has begun when its day is ≤ last */
	return epidemic_period_start(diagnosed, k) <= last ? k + 1 : k;
}

dd_status epidemic_periods(dd_date diagnosed, bool has_discharge, dd_date discharged, dd_date through, int *periods,
			   dd_error *err)
{
	*periods = 0;
	if (has_discharge && discharged < diagnosed)
		return dd_fail(err, DD_EINVAL, "discharged_on", "出院日期不能早于确诊日期");
	dd_date last = has_discharge && discharged < through ? discharged : through;
	*periods = epidemic_periods_begun(diagnosed, last);
	return DD_OK;
}

dd_status epidemic_period_amount(fen_t standard, int64_t multiple, fen_t *amount, dd_error *err)
{
	*amount = 0;
	if (standard <= 0)
		return dd_fail(err, DD_EINVAL, "standard", "低保标准须为正数");
	if (multiple < 1 || multiple > 100)
		return dd_fail(err, DD_EINVAL, "temp.covid_multiple", "患病救助倍数须在 1 到 100 之间");
	if (standard > INT64_MAX / multiple)
		return dd_fail(err, DD_ERANGE, "standard", "金额超出范围");
	*amount = standard * multiple;
	return DD_OK;
}
