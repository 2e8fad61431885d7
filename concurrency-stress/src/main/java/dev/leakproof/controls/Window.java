package dev.leakproof.controls;

/**
 * Widens the gap between a broken control's check and its act, so that jcstress catches the
 * breakage in every quick run rather than only sometimes. The real tests never use it.
 */
final class Window {

    private Window() {
    }

    static void open() {
        for (int i = 0; i < 64; i++) {
            Thread.onSpinWait();
        }
    }
}
