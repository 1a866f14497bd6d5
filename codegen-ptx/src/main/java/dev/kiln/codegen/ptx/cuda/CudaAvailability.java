package dev.kiln.codegen.ptx.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;

import jcuda.CudaException;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;

/**
 * Whether this process can run CUDA kernels, decided once.
 *
 * <p>Without a driver, JCuda's first use throws {@link UnsatisfiedLinkError} ({@code libcuda.so.1} missing) and
 * every later use {@link NoClassDefFoundError}, because the class failed to initialise; so the probe runs exactly
 * once, catches {@link LinkageError} and {@link CudaException}, and remembers the answer. Callers (GPU tests via
 * JUnit assumptions, the executor, the runtime's {@code --device cuda}) ask {@link #check()} and report
 * {@link Status#describe()}, which reads "no CUDA device: &lt;reason&gt;" when there is none.
 */
public final class CudaAvailability {
    /** The probe's answer; {@code device} and {@code computeCapability} are meaningful only when available. */
    public record Status(boolean available, String reason, String device, int computeCapability, int driverVersion) {
        public String describe() {
            return available
                    ? "CUDA device: " + device + " (sm_" + computeCapability + ", driver API " + driverVersion + ")"
                    : "no CUDA device: " + reason;
        }
    }

    private static Status status;

    private CudaAvailability() {}

    public static synchronized Status check() {
        if (status == null) status = probe();
        return status;
    }

    private static Status probe() {
        try {
            JCudaDriver.setExceptionsEnabled(true);
            cuInit(0);
            int[] count = {0};
            cuDeviceGetCount(count);
            if (count[0] == 0) return none("the driver reports 0 devices");
            CUdevice dev = new CUdevice();
            cuDeviceGet(dev, 0);
            byte[] name = new byte[256];
            cuDeviceGetName(name, name.length, dev);
            int[] major = {0};
            int[] minor = {0};
            cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
            cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
            int[] version = {0};
            cuDriverGetVersion(version);
            if (major[0] < 8) return none("device 0 is sm_" + major[0] + minor[0] + "; Kiln's PTX needs sm_80 or newer");
            return new Status(true, "", cString(name), major[0] * 10 + minor[0], version[0]);
        } catch (LinkageError e) {
            return none(e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
        } catch (CudaException e) {
            return none("CUDA driver error: " + firstLine(e.getMessage()));
        }
    }

    private static Status none(String reason) { return new Status(false, reason, "", 0, 0); }

    private static String firstLine(String s) {
        if (s == null) return "(no message)";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
