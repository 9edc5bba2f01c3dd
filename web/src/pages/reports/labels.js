// Chinese names of the campaign categories and recipient states.
export const CATEGORIES = { dibao: '低保对象', tekun: '特困人员', marginal: '低保边缘对象', other: '其他困难群众' };
export const RECIPIENT_STATES = { planned: '待走访', visited: '已慰问', cancelled: '已取消' };
