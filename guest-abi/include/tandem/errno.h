/*
 * Error numbers shared by Tandem and its guests. Positive values; functions
 * and hypercalls return them negated (-TANDEM_EINVAL). The numbers are the
 * Linux/Jailhouse ones the seeds use.
 */
#ifndef TANDEM_ERRNO_H
#define TANDEM_ERRNO_H

#define TANDEM_EPERM  1	 /* operation not permitted */
#define TANDEM_ENOENT 2	 /* no such entry */
#define TANDEM_EIO    5	 /* I/O error */
#define TANDEM_E2BIG  7	 /* argument or result too big */
#define TANDEM_ENOMEM 12 /* out of memory */
#define TANDEM_EBUSY  16 /* resource busy */
#define TANDEM_EEXIST 17 /* already exists */
#define TANDEM_ENODEV 19 /* no such device */
#define TANDEM_EINVAL 22 /* invalid argument */
#define TANDEM_ERANGE 34 /* value out of range */
#define TANDEM_ENOSYS 38 /* function not implemented */

#endif
