/* See gl_free.c. */
#ifndef AUTO_GL_FREE_H
#define AUTO_GL_FREE_H

/* From now on this process's EGL displays (opened through libepoxy) are one without GL.
 * Call before the process's first EGL call; calling it again does nothing. */
void auto_gl_free_install(void);

#endif
